"""Campaigns: the grievance list drafted together, its revisions, team and amendments."""
