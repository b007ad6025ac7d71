# Ships the session-24 paired-reward ensembles (runs/s24/twin24) as the meta-controllers, with the documented recipe.
# Run once, at 3c3f9ee (docs/META.md "A paired reward over the residual PPO"); a second run would append the note twice.
import json, shutil, subprocess
root = '/work/main/'
head = subprocess.check_output(['git', '-C', root, 'rev-parse', '--short', 'HEAD']).decode().strip()
for cfg in ['configs/meta-td3.json', 'configs/meta-td3-no-edge.json']:
    d = json.load(open(root + cfg))
    d['envOptions']['rewardBaseline'] = 'mode-default'
    d['notes'] += (" Session 24: envOptions.rewardBaseline 'mode-default' (each window's reward minus the same quantity"
                   " on a twin world at the mode's default weights: common random numbers), chosen on development worlds"
                   " by a rule written before scoring (docs/META.md \"A paired reward over the residual PPO\"); the"
                   f" session-23 members are in git history (commit {head}).")
    open(root + cfg, 'w').write(json.dumps(d, indent=2) + '\n')
for stem in ['meta-td3', 'meta-td3-no-edge']:
    for s in range(1, 25):
        shutil.copyfile(f'{root}runs/s24/twin24/{stem}-s{s}.json', f'{root}models/{stem}-s{s}.json')
    m = json.load(open(f'{root}runs/s24/twin24/{stem}.json'))
    m['command'] = f'edgepilot train --env SparkIotMeta --algo td3 --config configs/{stem}.json --seeds 1-24 --out models/{stem}.json'
    assert m['pooling'] == 'arithmetic' and m['members'] == [f'{stem}-s{s}.json' for s in range(1, 25)]
    open(f'{root}models/{stem}.json', 'w').write(json.dumps(m, indent=2) + '\n')
print('shipped from', head)
