"""Groups (collectives, associations, unions) that own campaigns, and their teams."""
