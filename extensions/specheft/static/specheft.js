/* specheft: sort and filter coverage matrices in the browser.
 *
 * Enhances every <table class="specheft-matrix">: a click on a column header sorts,
 * a select per filterable column (priority, area, phase, coverage …) and a search box
 * filter the rows; a counter shows how many rows are visible. No dependencies, no
 * network, no innerHTML: only text from the table itself is shown.
 */
(function () {
    "use strict";

    var LABELS = {
        de: { all: "alle", search: "Suche", shown: "{n} von {total} Zeilen", sort: "sortieren" },
        en: { all: "all", search: "Search", shown: "{n} of {total} rows", sort: "sort" }
    };

    function text(node) {
        return (node.textContent || "").replace(/\s+/g, " ").trim();
    }

    function languageOf(table) {
        var match = /specheft-lang-(\w+)/.exec(table.className);
        return LABELS[match ? match[1] : "en"] || LABELS.en;
    }

    function enhance(table) {
        var labels = languageOf(table);
        var headers = Array.prototype.slice.call(table.querySelectorAll("thead th"));
        var body = table.tBodies[0];
        if (!body) { return; }
        var rows = Array.prototype.slice.call(body.rows);
        var filters = [];
        var bar = document.createElement("div");
        bar.className = "specheft-matrix-controls";

        var search = document.createElement("input");
        search.type = "search";
        search.placeholder = labels.search;
        search.setAttribute("aria-label", labels.search);
        search.className = "specheft-matrix-search";
        bar.appendChild(search);

        headers.forEach(function (header, index) {
            if (!header.classList.contains("specheft-filter")) { return; }
            var values = {};
            rows.forEach(function (row) {
                var value = text(row.cells[index]);
                if (value) { values[value] = true; }
            });
            var select = document.createElement("select");
            select.setAttribute("aria-label", text(header));
            select.dataset.column = String(index);
            var any = document.createElement("option");
            any.value = "";
            any.textContent = text(header) + ": " + labels.all;
            select.appendChild(any);
            Object.keys(values).sort().forEach(function (value) {
                var option = document.createElement("option");
                option.value = value;
                option.textContent = value;
                select.appendChild(option);
            });
            bar.appendChild(select);
            filters.push(select);
        });

        var counter = document.createElement("span");
        counter.className = "specheft-matrix-count";
        counter.setAttribute("aria-live", "polite");
        bar.appendChild(counter);

        var anchor = table.parentElement && table.parentElement.classList.contains("table-wrapper")
            ? table.parentElement : table;
        anchor.parentNode.insertBefore(bar, anchor);

        function apply() {
            var query = search.value.toLowerCase().trim();
            var shown = 0;
            rows.forEach(function (row) {
                var visible = filters.every(function (select) {
                    return !select.value || text(row.cells[Number(select.dataset.column)]) === select.value;
                }) && (!query || text(row).toLowerCase().indexOf(query) !== -1);
                row.hidden = !visible;
                if (visible) { shown += 1; }
            });
            counter.textContent = labels.shown.replace("{n}", String(shown))
                .replace("{total}", String(rows.length));
        }

        var sortIndex = -1, direction = 1;
        headers.forEach(function (header, index) {
            header.tabIndex = 0;
            header.classList.add("specheft-sortable");
            header.setAttribute("aria-sort", "none");
            header.title = labels.sort;
            function sort() {
                direction = sortIndex === index ? -direction : 1;
                sortIndex = index;
                rows.sort(function (a, b) {
                    return direction * text(a.cells[index]).localeCompare(
                        text(b.cells[index]), undefined, { numeric: true, sensitivity: "base" });
                });
                rows.forEach(function (row) { body.appendChild(row); });
                headers.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
                header.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
            }
            header.addEventListener("click", sort);
            header.addEventListener("keydown", function (event) {
                if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
            });
        });

        search.addEventListener("input", apply);
        filters.forEach(function (select) { select.addEventListener("change", apply); });
        apply();
    }

    function init() {
        Array.prototype.forEach.call(document.querySelectorAll("table.specheft-matrix"), enhance);
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
