--   Completed                        Healthy
--   Pending, InProgress              Progressing
--   Failed                           Degraded
local early = beingDeleted() or notReconciledYet("take this Savepoint")
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
