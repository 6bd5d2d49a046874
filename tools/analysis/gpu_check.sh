#!/usr/bin/env bash
# One-shot GPU readiness check of mmaction_merdg; prints one table.
#
#   bash tools/analysis/gpu_check.sh [--wheels DIR] [--workers N] [--out DIR] [--dry-run]
#
# 1. (--wheels DIR) installs mmengine, mmcv-lite, mmaction2 and their small
#    dependencies from a folder of wheels with `pip --no-index` (offline GPU
#    images ship torch, numpy 2 and transformers 5 but not OpenMMLab).
# 2. Imports the plugin and reports numpy/torch/transformers versions and
#    whether the VindLU stand-in was needed (mmaction_merdg.compat).
# 3. Step benchmark at paper shapes (tools/analysis/benchmark_step.py):
#    fp16 and bf16 for V+A+F, bf16 for V+A; ms/step, MER-DG / Fusion, peak
#    memory, clips/s.
# 4. Loader: a written EPIC tree at 456x256; the train pipeline's stage table
#    against the JPEG decode floor, and a DataLoader with N workers in
#    samples/s against the GPU step rate of 3.
# 5. A short tools/train.py + tools/test.py of configs/merdg_epic_d1d2_d3.py
#    on that tree (1 epoch, tiny overrides, --amp).
# Without a CUDA device (or with --dry-run) the GPU parts are skipped with a
# line saying so and the plan is printed; nothing heavy runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-python}
WHEELS="" WORKERS=$(( $(nproc) > 2 ? $(nproc) - 2 : 1 )) OUT="" DRY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --wheels) WHEELS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --dry-run) DRY=1; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "gpu_check: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$(mktemp -d -t merdg_gpu_check.XXXXXX)}
mkdir -p "$OUT"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

if [ -n "$WHEELS" ]; then
  [ -d "$WHEELS" ] || { echo "gpu_check: --wheels '$WHEELS' is not a directory" >&2; exit 2; }
  $PY -m pip install --no-index --find-links "$WHEELS" mmengine mmcv-lite mmaction2 \
    addict yapf termcolor platformdirs 'importlib_metadata<9' soundfile cffi pycparser
fi

$PY - "$OUT/env.json" <<'PYEOF'
import json, sys
import numpy, torch
import mmaction_merdg, mmaction
from mmaction_merdg.compat import vindlu_import_error
try:
    from importlib.metadata import version
    tf = version('transformers')
except Exception:
    tf = 'not installed'
cuda = torch.cuda.is_available()
env = dict(python=sys.version.split()[0], numpy=numpy.__version__, torch=torch.__version__,
           transformers=tf, mmaction=mmaction.__version__, cuda=cuda,
           gpu=torch.cuda.get_device_name() if cuda else None,
           vindlu_stand_in=vindlu_import_error() is not None)
json.dump(env, open(sys.argv[1], 'w'))
print('environment: ' + ', '.join(f'{k}={v}' for k, v in env.items()))
PYEOF
CUDA=$($PY -c "import json,sys; print(int(json.load(open(sys.argv[1]))['cuda']))" "$OUT/env.json")

run() {  # run or, in dry-run mode, print the command
  if [ "$DRY" = 1 ]; then echo "  would run: $*"; else "$@"; fi
}
if [ "$CUDA" != 1 ] && [ "$DRY" != 1 ]; then
  echo "gpu_check: no CUDA device: GPU parts skipped (step benchmark, loader vs GPU, train/test); dry run"
  DRY=1
fi
[ "$DRY" = 1 ] && echo "gpu_check: dry run: the plan follows; skipped: step benchmark, loader vs GPU step rate, train/test on GPU"

for v in "V+A+F float16 imgs flow_imgs audios" "V+A+F bfloat16 imgs flow_imgs audios" \
         "V+A bfloat16 imgs audios"; do
  set -- $v; name=$1 dtype=$2; shift 2
  run $PY tools/analysis/benchmark_step.py --paper-shapes --amp --amp-dtype "$dtype" \
    --steps 15 --warmup 3 --modalities "$@" --out "$OUT/step_${name//+/}_${dtype}.json"
done
TREE="$OUT/epic456"
run $PY -c "from mmaction_merdg.datasets.writers import write_synthetic_epic_tree as w; \
w('$TREE', samples_per_domain=16, rgb_shape=(96, 0, 0), frame_size=(456, 256))"
run $PY tools/analysis/benchmark_pipeline.py --floor --data-root "$TREE" --samples 16 \
  --repeats 2 --workers "$WORKERS" --out "$OUT/loader.json"
TINY="train_cfg.max_epochs=1 train_dataloader.batch_size=4 val_dataloader.batch_size=4 \
test_dataloader.batch_size=4 train_dataloader.num_workers=$WORKERS"
DATA="data_root=$TREE ann_root=$TREE/MM-SADA_Domain_Adaptation_Splits"
run $PY tools/train.py configs/merdg_epic_d1d2_d3.py --amp --work-dir "$OUT/train" \
  --dataset-options $DATA --cfg-options $TINY
run bash -c "$PY tools/test.py configs/merdg_epic_d1d2_d3.py \$(ls $OUT/train/best_*.pth | head -1) \
  --work-dir $OUT/test --dataset-options $DATA --cfg-options $TINY"

$PY - "$OUT" "$DRY" <<'PYEOF'
import glob, json, os, sys
out, dry = sys.argv[1], sys.argv[2] == '1'
env = json.load(open(os.path.join(out, 'env.json')))
print(f"\n| check | result | ({env['gpu'] or 'no GPU'}, torch {env['torch']}, numpy {env['numpy']}) |")
print('|---|---|---|')
print(f"| import beside transformers {env['transformers']} | ok | VindLU stand-in: {env['vindlu_stand_in']} |")
steps = sorted(glob.glob(os.path.join(out, 'step_*.json')))
rate = None
for path in steps:
    r = json.load(open(path))
    name = os.path.basename(path)[5:-5]
    rate = rate or 1e3 / r['merdg_ms']
    print(f"| step {name} | Fusion {r['fusion_ms']} ms, MER-DG {r['merdg_ms']} ms, ratio "
          f"{r['ratio']:.3f} | peak {r.get('peak_memory_gib')} GiB, {r['clips_per_s_merdg']} clips/s |")
if not steps:
    print('| step benchmark | skipped (no GPU / dry run) | |')
lpath = os.path.join(out, 'loader.json')
if os.path.isfile(lpath):
    l = json.load(open(lpath))
    print(f"| loader, 1 core | {l['total_ms']:.1f} ms/sample, floor {l['floor_ms']:.1f} ms | "
          f"ratio {l['ratio']:.3f} |")
    if 'loader' in l:
        t = l['loader']
        vs = f", GPU consumes {rate:.2f}" if rate else ''
        print(f"| loader, {t['workers']} workers | {t['batches_per_s']:.2f} batches/s{vs} | "
              f"{t['samples_per_s']:.0f} samples/s |")
else:
    print('| loader vs GPU step rate | skipped (no GPU / dry run) | |')
best = glob.glob(os.path.join(out, 'train', 'best_*.pth'))
tests = glob.glob(os.path.join(out, 'test', '*', '*.json'))
print(f"| train.py + test.py (456x256 tree) | "
      f"{'skipped (no GPU / dry run)' if dry else ('ok' if best and tests else 'FAILED')} | "
      f"{os.path.basename(best[0]) if best else ''} |")
PYEOF
