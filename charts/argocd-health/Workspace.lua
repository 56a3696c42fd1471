--   Ready                            Healthy
--   Pending, Terminating             Progressing
--   StorageUnavailable, invalid spec Degraded
--   the operator's own requests refused by RBAC (condition OperatorForbidden True)   Degraded
local early = beingDeleted("waiting for the operator to delete its namespaces first")
  or operatorForbidden() or notReconciledYet("reconcile this Workspace") or staleStatus() or invalidSpec()
if early ~= nil then return early end

local status = obj.status
local ready = condition("Ready")
if status.phase == "Ready" and ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = messageOf(ready, "Storage reachable") }
end
if status.phase == "StorageUnavailable" then
  return { status = "Degraded", message = "Storage unavailable: " .. messageOf(condition("StorageReady"), messageOf(ready, "the S3 check failed")) }
end
return { status = "Progressing", message = messageOf(ready, "Phase " .. tostring(status.phase)) }
