"""Videos: sampling and hashing frames (vPDQ), and comparing two videos' frame hashes."""
