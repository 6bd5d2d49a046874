# Entry point: MER-DG on the vector-level synthetic benchmark (seconds per run;
# for statistics over many seeds: docs/synthetic_benchmark.md).
_base_ = ['synthetic/merdg_mlp_scratch_1xb16-6e_synthetic-vector-source0-source1-to-target-rgb-flow-audio.py']
