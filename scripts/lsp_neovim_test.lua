-- briefd lsp driven by a real client the project did not write: Neovim's own LSP client (Debian's neovim, 0.7),
-- headless. Opens a draft, waits for the diagnostics on the right lines and columns, types a mistake and times its
-- diagnostic, asks for the code actions, applies one, saves, and checks the file on disk. Any failure ends Neovim
-- with a non-zero status and says why on stderr. Run by scripts/lsp_neovim_test.sh.
local briefd = os.getenv("BRIEFD")
local config = os.getenv("BRIEFD_TEST_CONFIG")
local draft = os.getenv("BRIEFD_TEST_DRAFT")

local function fail(message)
  io.stderr:write("lsp-test: FAIL: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local function say(message) io.stdout:write("lsp-test: " .. message .. "\n") end

local exit_code = nil
local client_id = vim.lsp.start_client({
  cmd = { briefd, "lsp", "--config", config },
  name = "briefd",
  root_dir = vim.fn.fnamemodify(config, ":h"),
  on_exit = function(code) exit_code = code end,
})
if not client_id then fail("the client did not start") end

vim.cmd("edit " .. draft)
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client_id)

local function named(code, line)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == code and (line == nil or d.lnum == line) then return d end
  end
  return nil
end

-- 1. The diagnostics of the draft as opened, on their lines and (byte) columns after CJK characters and an emoji.
if not vim.wait(15000, function() return named("prose.misspelled-name", 6) ~= nil end, 10) then
  fail("no prose.misspelled-name on line 7 within 15 s; got " .. vim.inspect(vim.diagnostic.get(buf)))
end
local first = named("prose.misspelled-name", 6)
-- "北京 🙂 " is 12 bytes: Neovim turns the server's UTF-16 character 6 into byte column 12.
if first.col ~= 12 or first.end_col ~= 21 then fail("marked at columns " .. first.col .. "-" .. first.end_col) end
if first.source ~= "briefd" or first.severity ~= vim.diagnostic.severity.WARN then
  fail("source or severity: " .. vim.inspect(first))
end
if not named("attribution.unknown-person", 8) then fail("no attribution.unknown-person on line 9") end
say("diagnostics on the right lines and columns: " .. #vim.diagnostic.get(buf))

-- 2. Type a mistake (line 13, "Mara Feld" becomes "Mara Fled") and time its diagnostic.
local typed_line = 12
local text = vim.api.nvim_buf_get_lines(buf, typed_line, typed_line + 1, true)[1]
local at = text:find("Feld", 1, true)
if not at then fail("line 13 has no 'Feld': " .. text) end
local started = vim.loop.hrtime()
vim.api.nvim_buf_set_text(buf, typed_line, at - 1, typed_line, at + 3, { "Fled" })
if not vim.wait(1000, function() return named("prose.misspelled-name", typed_line) ~= nil end, 5) then
  fail("no diagnostic for the typed mistake within 1 s")
end
say(string.format("the typed mistake was diagnosed in %.0f ms", (vim.loop.hrtime() - started) / 1e6))

-- 3. Ask for the code actions at the mistake and apply the registry's spelling.
local params = {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  range = { start = { line = typed_line, character = at }, ["end"] = { line = typed_line, character = at } },
  context = { diagnostics = {} },
}
local answers = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 5000)
local chosen = nil
for _, answer in pairs(answers or {}) do
  for _, action in ipairs(answer.result or {}) do
    if action.title == "Use the registry's spelling: Mara Feld" then chosen = action end
  end
end
if not chosen then fail("no quick fix offered: " .. vim.inspect(answers)) end
vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
vim.cmd("silent write")
say("applied: " .. chosen.title)

-- 4. The file on disk is fixed, and the diagnostic is gone.
local saved = table.concat(vim.fn.readfile(draft), "\n")
if saved:find("Mara Fled, the", 1, true) then fail("the saved file still has the mistake") end
if not saved:find("Mara Feld, the historian", 1, true) then fail("the saved file lacks the fix:\n" .. saved) end
if not vim.wait(3000, function() return named("prose.misspelled-name", typed_line) == nil end, 10) then
  fail("the diagnostic stayed after the fix")
end
say("the saved file is fixed and its diagnostic gone")

-- 5. Shutdown and exit: the server ends with status 0.
vim.lsp.stop_client(client_id)
if not vim.wait(5000, function() return exit_code ~= nil end, 10) then fail("the server did not exit") end
if exit_code ~= 0 then fail("the server exited with " .. exit_code) end
say("the server shut down and exited with 0")
vim.cmd("qall!")
