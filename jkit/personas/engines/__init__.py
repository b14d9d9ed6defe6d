"""The engines of the persona feature table."""
