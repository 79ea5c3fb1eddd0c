"""Hash banks: their records, file formats, the policies applied to matches, and the lookup."""
