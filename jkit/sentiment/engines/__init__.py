"""The engines that score sentiment (pandas here, Spark in :mod:`jkit.sentiment.engines.spark`)."""
