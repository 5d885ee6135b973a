-- briefd's findings in Neovim 0.7 or later: add this to your init.lua (or `:luafile` it). It starts one
-- `briefd lsp` for the Markdown files you open and attaches each of them to it.
-- The workspace's config: $BRIEFD_CONFIG, else the path below (change it to yours).
local briefd_config = os.getenv("BRIEFD_CONFIG") or vim.fn.expand("~/briefd/config/briefd.yml")
local briefd_client = nil

vim.api.nvim_create_autocmd("FileType", {
  pattern = "markdown",
  callback = function(args)
    if not briefd_client or vim.lsp.client_is_stopped(briefd_client) then
      briefd_client = vim.lsp.start_client({
        name = "briefd",
        cmd = { os.getenv("BRIEFD_BIN") or "briefd", "lsp", "--config", briefd_config },
        root_dir = vim.fn.fnamemodify(briefd_config, ":h"),
      })
    end
    vim.lsp.buf_attach_client(args.buf, briefd_client)
  end,
})

-- The quick fixes at the cursor, the finding in full, and the registry entry or link verdict under the cursor.
vim.keymap.set("n", "<leader>a", vim.lsp.buf.code_action, { desc = "briefd: quick fixes" })
vim.keymap.set("n", "<leader>d", vim.diagnostic.open_float, { desc = "briefd: the finding in full" })
vim.keymap.set("n", "K", vim.lsp.buf.hover, { desc = "briefd: registry entry or link verdict" })
