"""Indexes of bank hashes: the interface, brute force, multi-index hashing, segments and the GPU.

:func:`vigil.media.index.factory.make_pdq_index` is the door: callers name an index
(``brute``, ``mih``, ``gpu``, ``auto``) and get a :class:`~vigil.media.index.base.HashIndex`.
"""
