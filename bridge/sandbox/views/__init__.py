"""The sandbox's blueprints, one per area of the API."""
