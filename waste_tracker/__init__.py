"""waste-tracker: cradle-to-grave tracking of hazardous and industrial solid waste.

This package is the domain core and its persistence. It never imports an HTTP framework.
"""

__version__ = "0.1.0"
