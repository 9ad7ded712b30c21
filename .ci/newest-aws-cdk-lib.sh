#!/usr/bin/env bash
# The unit tests against the newest aws-cdk-lib 2.x (users on the newest line), which validates
# every synthesized template against the CloudFormation schemas.
#
#   .ci/newest-aws-cdk-lib.sh install        installs it into .tmp/newest (npm registry), beside the
#                                            project's node_modules, which stay as `npm ci` left them
#   .ci/newest-aws-cdk-lib.sh examples       the example suites, and the CLI suites (what CI runs)
#   .ci/newest-aws-cdk-lib.sh features       every feature suite: the unit tests but the CLI suites
#                                            (they load no aws-cdk-lib, but `plan`) and the four bulk
#                                            suites (`npx projen test:newest`, about 3 minutes)
#
# Jest maps every import of aws-cdk-lib and constructs to .tmp/newest (.tmp/jest.newest.config.js).
# The validator builds its rule engine once per jest module registry (about 4 s), and jest gives
# each test file a registry of its own: so the suites run as files that import them all, one per
# worker, written to .tmp/newest-suites/. The reviewed whole-template snapshot is pinned to the
# floor version and left out. Extra arguments go to jest. Set NEWEST_NODE_BIN to a Node.js bin
# folder to run on that Node.js (CI: Node.js 24).
set -uo pipefail
cd "$(dirname "$0")/.."
newest=.tmp/newest
mode="${1:-}"; shift || true

case "$mode" in
  install)
    rm -rf "$newest" && mkdir -p "$newest"
    npm install --prefix "$newest" --no-save --no-package-lock --no-audit --no-fund aws-cdk-lib@^2 >/dev/null || exit 1
    echo "aws-cdk-lib $(node -p "require('./$newest/node_modules/aws-cdk-lib/package.json').version") in $newest"
    exit 0 ;;
  examples|features) ;;
  *) echo "usage: $0 install | examples | features [jest arguments]" >&2; exit 2 ;;
esac

[ -d "$newest/node_modules/aws-cdk-lib" ] || { echo "run '$0 install' first" >&2; exit 1; }
cat > .tmp/jest.newest.config.js <<'EOF'
// Written by .ci/newest-aws-cdk-lib.sh: the project's jest configuration, with aws-cdk-lib and
// constructs taken from .tmp/newest.
const path = require('path');
const root = path.join(__dirname, '..');
const modules = path.join(__dirname, 'newest', 'node_modules');
module.exports = {
  ...require(path.join(root, 'package.json')).jest,
  rootDir: root,
  collectCoverage: false,
  moduleNameMapper: {
    '^aws-cdk-lib$': path.join(modules, 'aws-cdk-lib'),
    '^aws-cdk-lib/(.*)$': path.join(modules, 'aws-cdk-lib', '$1'),
    '^constructs$': path.join(modules, 'constructs'),
  },
};
EOF
echo "aws-cdk-lib $(node -p "require('./$newest/node_modules/aws-cdk-lib/package.json').version"), Node.js $(PATH="${NEWEST_NODE_BIN:-}${NEWEST_NODE_BIN:+:}$PATH" node --version)"

parts=.tmp/newest-suites
rm -rf "$parts" && mkdir -p "$parts"
cli='/test/cli/(?!plan\.test\.ts$)|/test/fuzz/cli-args\.fuzz\.test\.ts$'
if [ "$mode" = examples ]; then
  # the example apps and README code (migration-guide-names type-checks with the TypeScript
  # compiler, which reads the floor's declarations: left out)
  suites=$(npx jest --listTests --testPathPatterns '/test/examples/(?!migration-guide-names)' | sort)
  files=1
  extra=("$parts/part0.test.ts")
  # and the CLI suites as they are (they load no aws-cdk-lib, but plan, which synthesizes apps)
  while read -r s; do extra+=("$s"); done < <(npx jest --listTests --testPathPatterns "$cli" '/test/cli/plan\.test\.ts$' | sort)
else
  bulk='/test/(model/quotas|bench/structure|fuzz/pipeline\.fuzz|bad-config/bad-config)\.test\.ts$'
  suites=$(npx jest --listTests --testPathIgnorePatterns '/node_modules/' "$cli" "$bulk" | sort)
  files=2
  extra=("$parts/part0.test.ts" "$parts/part1.test.ts")
fi
i=0
for suite in $suites; do
  rel=$(realpath --relative-to=. "$suite")
  echo "import '../../${rel%.ts}';" >> "$parts/part$((i % files)).test.ts"
  i=$((i + 1))
done
echo "$i suites in $files file(s)$([ "$mode" = examples ] && echo ", and $((${#extra[@]} - 1)) CLI suites")"
PATH="${NEWEST_NODE_BIN:-}${NEWEST_NODE_BIN:+:}$PATH" npx jest -c .tmp/jest.newest.config.js --ci -t '^(?!.*reviewed snapshot)' \
  --testMatch '<rootDir>/**/*.test.ts' --testPathIgnorePatterns '/node_modules/' "$@" --runTestsByPath "${extra[@]}"
