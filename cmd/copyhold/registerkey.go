package main

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"copyhold/equity/roll"
)

// registerKeySetting names the setting in every key error.
const registerKeySetting = "--register-key / COPYHOLD_REGISTER_KEY"

// registerKeyFile is the default key file in the data folder.
func (c config) registerKeyFile() string { return filepath.Join(c.DataDir, "register.key") }

// registerOrigin is the checkpoint origin (and key name) of a new key: the
// base URL's host, else copyhold.local/register.
func (c config) registerOrigin() string {
	if u, err := url.Parse(c.BaseURL); err == nil && u.Host != "" {
		return roll.Origin(u.Host)
	}
	return roll.Origin("")
}

// registerKey loads the register's signing key. A configured key (a path or
// the PRIVATE+KEY+… text) must load, or it is an error naming the setting;
// nothing is generated for it. Without one, the data folder's register.key
// is used; with create and the embedded SQLite database it is made (0600) on
// first start. PostgreSQL installations must configure a key.
func registerKey(c config, create bool) (*roll.Key, error) {
	if v := strings.TrimSpace(c.RegisterKey); v != "" {
		text := v
		if !strings.HasPrefix(v, "PRIVATE+KEY+") {
			b, err := os.ReadFile(v)
			if err != nil {
				return nil, fmt.Errorf("%s: cannot read the register signing key: %v (copyhold never generates a key when one is configured)", registerKeySetting, err)
			}
			text = string(b)
		}
		k, err := roll.ParseKey(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", registerKeySetting, err)
		}
		return &k, nil
	}
	path := c.registerKeyFile()
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := roll.ParseKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("register signing key %s: %v", path, err)
		}
		return &k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("register signing key %s: %v", path, err)
	}
	if !create || c.DatabaseURL != "" {
		return nil, fmt.Errorf("no register signing key: set %s to a key file or the key text (the embedded SQLite default creates %s on first start)", registerKeySetting, path)
	}
	skey, err := roll.GenerateKey(c.registerOrigin())
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create register signing key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	k, err := roll.ParseKey(skey)
	return &k, err
}
