"""Hashing pictures: the PDQ reference, the fast NumPy path, dihedral variants, trimming."""
