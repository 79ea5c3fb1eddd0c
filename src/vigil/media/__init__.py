"""Media: perceptual (PDQ) and exact (MD5) hashing, hash banks and matching. Never media bytes."""
