"""Built-in detectors: each turns stored records of one kind into explained, scored signals."""
