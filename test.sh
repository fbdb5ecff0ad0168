#!/usr/bin/env bash
# Runs every test project: installs prerequisites (idempotent), builds with warnings as errors, checks formatting,
# runs the tests and ends with one line of totals over all projects: "N passed, N failed, N skipped".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
RESULTS="$ROOT/.build/test-results"

"$ROOT/scripts/setup.sh" test

echo "== build" >&2
dotnet build RefusalGate.sln -c Release --nologo -v quiet -clp:ErrorsOnly

echo "== format check" >&2
dotnet format RefusalGate.sln --verify-no-changes --no-restore

rm -rf "$RESULTS"
status=0
for project in tests/*/*.csproj; do
  name="$(basename "$project" .csproj)"
  echo "== $name" >&2
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" || status=1
done

# Totals from every project's TRX counters.
passed=0; failed=0; skipped=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  value() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed)))
  # A skipped test is counted in total but not executed (the TRX's notExecuted stays 0 for xUnit skips).
  skipped=$((skipped + $(value total) - $(value executed)))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
