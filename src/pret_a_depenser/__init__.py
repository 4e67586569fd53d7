"""pret-a-depenser
"""

__version__ = "0.1"
