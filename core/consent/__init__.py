"""The privacy notice (隐私政策) and the consents (同意) to it and to the location check."""
