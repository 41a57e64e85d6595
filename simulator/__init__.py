"""A local vRO 7/8 + vRA login + VCF SDDC Manager + ICO 2.5 server for tests, demos and benchmarks.

Start it with ``python -m simulator`` (see ``simulator/README.md``); in-process, use
``simulator.runner.Simulator``. The file map is in the README ("How it is built").
"""
