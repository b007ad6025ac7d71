/**
 * Registers the meta-env id `SparkIotMeta` (so `edgepilot train --env SparkIotMeta --algo td3` works). Imported for
 * its side effect by src/env/registry.ts; it uses registry-core.ts, whose table exists before any env module runs.
 */
import { hasEnv, registerEnv } from '../env/registry-core.ts';
import { META_ENV_ID, SparkIotMetaEnv, parseMetaEnvOptions } from './meta-env.ts';

// The meta-env truncates by itself after episodeMetaSteps, so no TimeLimit here.
if (!hasEnv(META_ENV_ID)) registerEnv(META_ENV_ID, (options) => new SparkIotMetaEnv(parseMetaEnvOptions(options)));
