#!/usr/bin/env bash
# Runs a short session with the built command (pnpm build first) and prints it as the README transcript.
# Usage: apps/cli/scripts/session.sh > /tmp/session.txt
set -u
BIN="$(cd "$(dirname "$0")/.." && pwd)/dist/bin.js"
W=$(mktemp -d /tmp/skills-session-XXXX)
cd "$W"
export SKILLS_MCP_URL=http://127.0.0.1:8678 TZ=Europe/Paris
skills() { node "$BIN" "$@"; }
run() { echo "\$ $*"; eval "$@" 2>&1; echo; }
mkdir -p .crackerjack
cat > .crackerjack/skill_metrics.json <<'JSON'
{"invocations": [
 {"skill_name": "crackerjack-run", "invoked_at": "2026-02-01T10:00:00.123456", "workflow_path": "comprehensive", "completed": true, "duration_seconds": 42.5, "follow_up_actions": ["git commit"], "error_type": null},
 {"skill_name": "crackerjack-run", "invoked_at": "2026-02-01T11:00:00", "workflow_path": "quick", "completed": false, "duration_seconds": 3.2, "follow_up_actions": [], "error_type": "TimeoutError"},
 {"skill_name": "code-reviewer", "invoked_at": "2026-02-02T09:30:00", "workflow_path": "comprehensive", "completed": true, "duration_seconds": 80, "follow_up_actions": [], "error_type": null},
 {"skill_name": "code-reviewer", "invoked_at": "last tuesday", "workflow_path": "comprehensive", "completed": true, "duration_seconds": 12, "follow_up_actions": [], "error_type": null}
],
"skills": {"crackerjack-run": {"total_invocations": 2, "completed_invocations": 1}, "code-reviewer": {"total_invocations": 2, "completed_invocations": 2}},
"last_updated": "2026-02-02T09:30:00"}
JSON
printf 'query,skill,completed,phase,duration\n"fix the flaky login test",e2e-tester,true,verification,95\nupgrade the test runner,,true,implementation,40\n' > history.csv
run skills demo
run skills recommend '"fix the flaky end-to-end test"' --db .skills/demo.db --phase verification --limit 3
run 'id=$(skills track code-reviewer --query "review the auth change" --phase verification --db .skills/demo.db); echo $id'
run skills complete '"$id"' --follow-up '"git commit"' --db .skills/demo.db
run skills history --db .skills/demo.db --limit 3
run skills stats --db .skills/demo.db --skill code-reviewer
run skills import history.csv --db .skills/demo.db
run skills migrate --dry-run
run skills migrate
run skills migrate --validate
run skills migrate --rollback --force
run skills doctor --db .skills/demo.db
run skills recommend
rm -rf "$W"
