"""Benign synthetic media for tests, benchmarks and the demo world: drawn pictures and videos.

Nothing here is real media: pictures are coloured gradients and shapes drawn from a seed, and
videos hold such pictures as scenes. The demo world uses them at run time too.
"""
