-- A minimal Neovim set-up for the end-to-end test (tests/lsp/test_neovim.py): kaconf as the
-- language server of the file opened; the diagnostics Neovim holds for it after opening and
-- after an unsaved edit are written as JSON to $KACONF_NVIM_OUT. The command comes from
-- $KACONF_LSP_CMD (a JSON list).
-- vim.lsp.start is Neovim 0.8+; Debian 12 ships 0.7, which has start_client/buf_attach_client.
local cmd = vim.fn.json_decode(vim.env.KACONF_LSP_CMD)

function KaconfCheck()
  local config = { name = "kaconf", cmd = cmd, root_dir = vim.fn.getcwd() }
  local client
  if vim.lsp.start then
    client = vim.lsp.start(config)
  else
    client = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(0, client)
  end
  local function collect()
    local out = {}
    for _, d in ipairs(vim.diagnostic.get(0)) do
      local code = d.code
      if code == nil and d.user_data and d.user_data.lsp then code = d.user_data.lsp.code end
      table.insert(out, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum,
                          end_col = d.end_col, code = code, severity = d.severity,
                          message = d.message })
    end
    return out
  end
  local function has(code)
    for _, d in ipairs(collect()) do
      if d.code == code then return true end
    end
    return false
  end
  -- on open: wait for the findings
  vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
  local opened = collect()
  -- an unsaved edit: 'priority 300' becomes 'priority 200'; KA021 must go away
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  for i, line in ipairs(lines) do
    if line:find("priority 300", 1, true) then
      vim.api.nvim_buf_set_lines(0, i - 1, i, false, { (line:gsub("300", "200")) })
    end
  end
  vim.wait(30000, function() return not has("KA021") end, 50)
  vim.fn.writefile({ vim.fn.json_encode({ opened = opened, changed = collect() }) },
                   vim.env.KACONF_NVIM_OUT)
  vim.lsp.stop_client(client)
  vim.cmd("qa!")
end
