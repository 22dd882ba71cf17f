"""Letters to regulators: the directory, routing, letters, documents, delivery, responses."""
