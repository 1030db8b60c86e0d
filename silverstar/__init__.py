"""SilverStar platform code: settings, the app factory, errors, security, the CLI."""
