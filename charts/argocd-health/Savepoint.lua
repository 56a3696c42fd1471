--   Completed                        Healthy
--   Pending, InProgress              Progressing
--   Failed                           Degraded
--   being deleted, files refused     Degraded (DisposalRefused: the user must decide)
--   the operator's own requests refused by RBAC (condition OperatorForbidden True)   Degraded
-- Deleting its files was refused (a path outside the workspace's savepoint directory): the
-- deletion waits for the user, so it is Degraded; a store that does not answer is retried.
local disposed = condition("Disposed")
if obj.metadata.deletionTimestamp ~= nil and disposed ~= nil and disposed.status == "False" then
  if disposed.reason == "DisposalRefused" then
    return { status = "Degraded", message = "Deletion blocked: " .. messageOf(disposed, "the files may not be deleted") }
  end
  return { status = "Progressing", message = "Being deleted: " .. messageOf(disposed, "deleting the savepoint files") }
end
local early = beingDeleted() or operatorForbidden() or notReconciledYet("take this Savepoint")
if early ~= nil then return early end

-- Completed and Failed are final: the operator takes a savepoint once, and a later edit (for
-- example disposeOnDelete, read only on deletion) changes nothing it would report.
local status = obj.status
local ready = condition("Ready")
if status.phase == "Completed" then
  local where = status.path
  if where == nil or where == "" then where = "storage" end
  return { status = "Healthy", message = "Savepoint stored at " .. where }
end
if status.phase == "Failed" then
  local why = status.failureReason
  if why == nil or why == "" then why = messageOf(ready, "the savepoint failed") end
  return { status = "Degraded", message = "Failed: " .. why }
end
return staleStatus() or { status = "Progressing", message = tostring(status.phase) .. ": " .. messageOf(ready, "waiting for the operator") }
