"""What every feature package shares: config, extensions, auth, errors, time and i18n."""
