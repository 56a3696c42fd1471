// argocd-health evaluates Argo CD custom health checks (Lua) the way Argo CD does: the same
// VM (gopher-lua) with the same libraries (package, base, table; no string library), the
// object as the global `obj` converted as Argo CD converts an unstructured object, a one-second
// limit, and the returned table read as {status, message}; an unknown status becomes Unknown.
//
// Input on stdin: {"cases": [{"script": "<lua source>", "object": {...}}, ...]}
// Output on stdout: [{"status": "...", "message": "...", "error": "..."}, ...], one per case.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"
	luajson "layeh.com/gopher-json"
)

type testCase struct {
	Script string          `json:"script"`
	Object json.RawMessage `json:"object"`
}

type result struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

var validStatus = map[string]bool{"Unknown": true, "Progressing": true, "Suspended": true, "Healthy": true, "Degraded": true, "Missing": true}

// toUnstructured decodes JSON the way Kubernetes' unstructured objects hold it: integers as
// int64, other numbers as float64.
func toUnstructured(raw json.RawMessage) (map[string]interface{}, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	m, ok := normalize(v).(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("object is not a JSON object")
	}
	return m, nil
}

func normalize(v interface{}) interface{} {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []interface{}:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case map[string]interface{}:
		for k := range x {
			x[k] = normalize(x[k])
		}
		return x
	}
	return v
}

// decodeValue converts an unstructured value into Lua values as Argo CD's util/lua does.
func decodeValue(L *lua.LState, value interface{}) lua.LValue {
	switch converted := value.(type) {
	case bool:
		return lua.LBool(converted)
	case float64:
		return lua.LNumber(converted)
	case int64:
		return lua.LNumber(converted)
	case string:
		return lua.LString(converted)
	case []interface{}:
		arr := L.CreateTable(len(converted), 0)
		for _, item := range converted {
			arr.Append(decodeValue(L, item))
		}
		return arr
	case map[string]interface{}:
		tbl := L.CreateTable(0, len(converted))
		for key, item := range converted {
			tbl.RawSetH(lua.LString(key), decodeValue(L, item))
		}
		return tbl
	}
	return lua.LNil
}

func evaluate(c testCase) result {
	object, err := toUnstructured(c.Object)
	if err != nil {
		return result{Error: err.Error()}
	}
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	// Argo CD opens these and its own "safe" os library (time functions only); the checks
	// here use none of os, so it is left out rather than imitated.
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{{lua.LoadLibName, lua.OpenPackage}, {lua.BaseLibName, lua.OpenBase}, {lua.TabLibName, lua.OpenTable}} {
		if err := L.CallByParam(lua.P{Fn: L.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return result{Error: err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	L.SetContext(ctx)
	L.SetGlobal("obj", decodeValue(L, object))
	if err := L.DoString(c.Script); err != nil {
		return result{Error: err.Error()}
	}
	ret := L.Get(-1)
	if ret.Type() != lua.LTTable {
		return result{Error: fmt.Sprintf("expect table output from Lua script, not %s", ret.Type().String())}
	}
	encoded, err := luajson.Encode(ret)
	if err != nil {
		return result{Error: err.Error()}
	}
	var hs result
	if err := json.Unmarshal(encoded, &hs); err != nil {
		return result{Error: err.Error()}
	}
	if !validStatus[hs.Status] {
		return result{Status: "Unknown", Message: "Lua returned an invalid health status"}
	}
	return hs
}

func main() {
	var input struct {
		Cases []testCase `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&input); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health: cannot read the cases on stdin:", err)
		os.Exit(2)
	}
	results := make([]result, 0, len(input.Cases))
	for _, c := range input.Cases {
		results = append(results, evaluate(c))
	}
	if err := json.NewEncoder(os.Stdout).Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health:", err)
		os.Exit(2)
	}
}
