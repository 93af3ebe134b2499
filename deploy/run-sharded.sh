#!/usr/bin/env bash
# One tick of energy-forecast in stages on the Cloud Run job of deploy/cloud-run-job.yaml: prepare
# (one task), the predict shards (SHARDS tasks at once), finish (one task), each an execution of the
# same job that waits for the one before. Every stage gets the same RUN_ID and AS_OF.
#
#   REGION=europe-west1 deploy/run-sharded.sh                    # as of now, 4 shards
#   REGION=europe-west1 SHARDS=8 deploy/run-sharded.sh 2023-06-01T12:00
#   REGION=europe-west1 RUN_ID=run-20230601T120000Z-cloudrun deploy/run-sharded.sh 2023-06-01T12:00
#
# A stage that fails stops the script; run it again with the same RUN_ID (and as-of) to resume:
# stages already done do nothing new, and finish refuses, naming them, while shards are missing.
# Cloud Scheduler or Workflows can run the same three executions instead.
set -euo pipefail

JOB="${JOB:-energy-forecast}"
REGION="${REGION:?set REGION to the job's region, e.g. europe-west1}"
SHARDS="${SHARDS:-4}"
AS_OF="${1:-$(date -u +%Y-%m-%dT%H:%M)}"
RUN_ID="${RUN_ID:-run-$(date -u +%Y%m%dT%H%M%SZ)-cloudrun}"
VARS="RUN_ID=$RUN_ID,AS_OF=$AS_OF"

echo "run $RUN_ID as of $AS_OF: prepare, $SHARDS predict shards, finish" >&2
gcloud run jobs execute "$JOB" --region "$REGION" --wait --tasks 1 --update-env-vars "STAGE=prepare,$VARS"
gcloud run jobs execute "$JOB" --region "$REGION" --wait --tasks "$SHARDS" --update-env-vars "STAGE=predict,$VARS"
gcloud run jobs execute "$JOB" --region "$REGION" --wait --tasks 1 --update-env-vars "STAGE=finish,$VARS"
