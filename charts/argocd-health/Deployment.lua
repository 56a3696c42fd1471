--   Running (Ready)                  Healthy
--   Finished (bounded job done)      Healthy
--   Queued, Starting, Upgrading      Progressing (Queued starts by itself when its queue has room)
--   Suspended, Cancelled             Suspended (stopped on request, CU freed)
--   Failed, invalid spec, a change that cannot be rolled out   Degraded
--   Starting or Running while a pod reports a problem (condition PodsHealthy False: image pull
--   error, unschedulable, crash loop, OOM kill, eviction, a Secret it mounts missing, ...)  Degraded;
--   a start that does not recover by spec.progressDeadlineSeconds becomes Failed
--   the operator's own requests refused by RBAC (condition OperatorForbidden True)   Degraded
--   its key Secret lost under running pods (condition AuthKeyProblem, reason KeyLost: no pod
--   can be made again until it is suspended and resumed)   Degraded
local early = beingDeleted() or operatorForbidden() or notReconciledYet("reconcile this Deployment") or staleStatus() or invalidSpec()
if early ~= nil then return early end

local status = obj.status
local ready = condition("Ready")
local phase = status.phase
local why = status.reason
if why == nil or why == "" then why = messageOf(ready, tostring(phase)) end

-- The key Secret lost under running pods: no pod is made again until a person suspends and resumes.
local key = condition("AuthKeyProblem")
if key ~= nil and key.status == "True" and key.reason == "KeyLost" then
  return { status = "Degraded", message = "Key lost: " .. messageOf(key, "the key Secret of the running pods is gone") }
end

-- A pod problem while the job starts or runs: retried, but a person has to look.
local pods = condition("PodsHealthy")
if (phase == "Starting" or phase == "Running") and pods ~= nil and pods.status == "False" then
  return { status = "Degraded", message = phase .. ", but " .. tostring(pods.reason) .. ": " .. messageOf(pods, "a pod reports a problem") }
end

if phase == "Running" then
  local blocked = condition("UpgradeBlocked")
  if blocked ~= nil and blocked.status == "True" and blocked.reason ~= "UpgradeStrategyNone" then
    return { status = "Degraded", message = "Running the previous spec: " .. messageOf(blocked, "the change cannot be rolled out") }
  end
  if ready ~= nil and ready.status == "True" then
    local message = "Running"
    if status.job ~= nil and status.job.id ~= nil then message = "Job " .. tostring(status.job.id) .. " running" end
    if status.job ~= nil and status.job.restarts ~= nil and status.job.restarts > 0 then
      message = message .. " (" .. tostring(status.job.restarts) .. " restarts)"
    end
    if blocked ~= nil and blocked.status == "True" then message = message .. "; " .. messageOf(blocked, "a change waits for the next start") end
    return { status = "Healthy", message = message }
  end
  return { status = "Progressing", message = "Running, not ready: " .. messageOf(ready, "waiting for the job") }
end
if phase == "Finished" then
  return { status = "Healthy", message = "Finished: the bounded job completed" }
end
if phase == "Suspended" or phase == "Cancelled" then
  return { status = "Suspended", message = phase .. ": " .. why }
end
if phase == "Failed" then
  return { status = "Degraded", message = "Failed: " .. why }
end
if phase == "Queued" or phase == "Starting" or phase == "Upgrading" then
  return { status = "Progressing", message = phase .. ": " .. why }
end
return { status = "Progressing", message = "Phase " .. tostring(phase) .. ": " .. why }
