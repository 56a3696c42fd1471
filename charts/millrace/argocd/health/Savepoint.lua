-- Argo CD health of millrace.dev/Savepoint. Only Lua's base and table libraries: Argo CD runs
-- custom health checks without the string library.
local function condition(conditionType)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then return c end
  end
  return nil
end
local function messageOf(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then return c.message end
  return fallback
end

if obj.metadata.deletionTimestamp ~= nil then
  return { status = "Progressing", message = "Being deleted" }
end
local status = obj.status
if status == nil or status.observedGeneration == nil then
  return { status = "Progressing", message = "Waiting for the Millrace operator to take this Savepoint" }
end

-- Completed and Failed are final: the operator takes a savepoint once, and a later edit (for
-- example disposeOnDelete, read only on deletion) changes nothing it would report.
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
if obj.metadata.generation ~= nil and status.observedGeneration < obj.metadata.generation then
  return { status = "Progressing", message = "Waiting for the Millrace operator: status is of generation " .. tostring(status.observedGeneration) .. ", the spec is at generation " .. tostring(obj.metadata.generation) }
end
return { status = "Progressing", message = tostring(status.phase) .. ": " .. messageOf(ready, "waiting for the operator") }
