"""PowerDesk: service management for a power-supply company's 95598 customer service."""

__version__ = "0.1.0"
