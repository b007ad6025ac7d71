# Ships the session-25 steady-modes ensembles (runs/s25/steady24) as the meta-controllers, with the documented recipe.
# Run once, only if the shipping rule in docs/META.md "Steady modes in training" is met; a second run would append the
# note twice.
import json, shutil, subprocess
root = '/work/main/'
head = subprocess.check_output(['git', '-C', root, 'rev-parse', '--short', 'HEAD']).decode().strip()
for cfg in ['configs/meta-td3.json', 'configs/meta-td3-no-edge.json']:
    d = json.load(open(root + cfg))
    assert 'singleModeShare' not in d['envOptions']
    d['envOptions']['singleModeShare'] = 0.5
    d['notes'] += (" Session 25: envOptions.singleModeShare 0.5 (half the episodes run one mode from start to end, so"
                   " the meta-controller meets each mode's steady state, which the tournament runs), chosen on development"
                   " worlds by a rule written before scoring (docs/META.md \"Steady modes in training\"); the session-24"
                   f" members are in git history (commit {head}).")
    open(root + cfg, 'w').write(json.dumps(d, indent=2) + '\n')
for stem in ['meta-td3', 'meta-td3-no-edge']:
    for s in range(1, 25):
        shutil.copyfile(f'{root}runs/s25/steady24/{stem}-s{s}.json', f'{root}models/{stem}-s{s}.json')
    m = json.load(open(f'{root}runs/s25/steady24/{stem}.json'))
    m['command'] = f'edgepilot train --env SparkIotMeta --algo td3 --config configs/{stem}.json --seeds 1-24 --out models/{stem}.json'
    assert m['pooling'] == 'arithmetic' and m['members'] == [f'{stem}-s{s}.json' for s in range(1, 25)]
    open(f'{root}models/{stem}.json', 'w').write(json.dumps(m, indent=2) + '\n')
print('shipped from', head)
