"""The software version, recorded in results certificates."""

VERSION = "0.1.0"
