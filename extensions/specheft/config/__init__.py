"""Configuration: ``conf/specheft.toml`` read once, validated into typed settings."""
