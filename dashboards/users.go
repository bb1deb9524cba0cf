package dashboards

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"regexp"
	"sort"

	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/bcrypt"
)

// Roles (SPEC section 1).
const (
	RoleLeader   = "leader"   // 领导: cockpit
	RoleAnalyst  = "analyst"  // 分析员: trends and exports
	RoleAssessor = "assessor" // 考核办: assessment and exports
	RoleOfficer  = "officer"  // 信访干部: alert centre, case access in their region
	RoleAuditor  = "auditor"  // the audit log, nothing else
)

// RoleLabel is each role's Chinese name.
var RoleLabel = map[string]string{RoleLeader: "领导", RoleAnalyst: "分析员", RoleAssessor: "考核办", RoleOfficer: "信访干部", RoleAuditor: "审计员"}

// Permissions of a role.
type Permissions struct {
	Cockpit, Alerts, AlertActions, Trends, Export, Assess, Audit bool
	// CaseAccess: sees case-level detail; others see counts below 5 under
	// the county level as "<5".
	CaseAccess bool
}

var permissions = map[string]Permissions{
	RoleLeader:   {Cockpit: true, Alerts: true},
	RoleAnalyst:  {Cockpit: true, Trends: true, Export: true},
	RoleAssessor: {Cockpit: true, Trends: true, Export: true, Assess: true},
	RoleOfficer:  {Cockpit: true, Alerts: true, AlertActions: true, CaseAccess: true},
	RoleAuditor:  {Audit: true},
}

// User is an account.
type User struct {
	Name   string `yaml:"name"`
	Hash   string `yaml:"password_bcrypt"`
	Role   string `yaml:"role"`
	Region string `yaml:"region"` // "" for the whole city, else a county or township code
	Label  string `yaml:"label,omitempty"`
}

// Can returns the user's permissions.
func (u *User) Can() Permissions { return permissions[u.Role] }

var (
	userName   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	regionCode = regexp.MustCompile(`^(\d{6}|\d{9})$`)
)

// Users is the account file.
type Users struct {
	byName map[string]*User
}

// LoadUsers reads a users file (YAML list) and validates it.
func LoadUsers(path string) (*Users, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read users file: %w", err)
	}
	var list []User
	if err := yaml.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	u := &Users{byName: map[string]*User{}}
	for i := range list {
		x := &list[i]
		switch {
		case !userName.MatchString(x.Name):
			return nil, fmt.Errorf("users file %s, entry %d: name %q must be 1-64 of A-Za-z0-9_.-", path, i+1, x.Name)
		case u.byName[x.Name] != nil:
			return nil, fmt.Errorf("users file %s: user %q appears twice", path, x.Name)
		case permissions[x.Role] == Permissions{}:
			return nil, fmt.Errorf("users file %s: user %q has role %q; use leader, analyst, assessor, officer or auditor", path, x.Name, x.Role)
		case x.Region != "" && !regionCode.MatchString(x.Region):
			return nil, fmt.Errorf("users file %s: user %q region %q must be empty (city), a 6-digit county or a 9-digit township code", path, x.Name, x.Region)
		case len(x.Hash) < 50 || x.Hash[0] != '$':
			return nil, fmt.Errorf("users file %s: user %q has no bcrypt hash in password_bcrypt (make one with `xfwatch serve --hash-password`)", path, x.Name)
		}
		u.byName[x.Name] = x
	}
	return u, nil
}

// Check returns the user if the password is right.
func (u *Users) Check(name, password string) (*User, bool) {
	x := u.byName[name]
	if x == nil {
		// Spend the same time as a real check, so a wrong name is not faster.
		_ = bcrypt.CompareHashAndPassword([]byte("$2a$10$7EqJtq98hPqEX7fNZaFWoOhi5BWX4Z3tK6tq9o.6Uo6Ff8TmNQ9ju"), []byte(password))
		return nil, false
	}
	if bcrypt.CompareHashAndPassword([]byte(x.Hash), []byte(password)) != nil {
		return nil, false
	}
	return x, true
}

// Get returns a user by name.
func (u *Users) Get(name string) *User { return u.byName[name] }

// HashPassword makes a bcrypt hash for a users file.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// DemoUsers writes a users file with one account per role (and a
// county-scoped officer) and returns the generated passwords.
func DemoUsers(path string) (map[string]string, error) {
	accounts := []User{
		{Name: "leader", Role: RoleLeader, Label: "市领导"},
		{Name: "analyst", Role: RoleAnalyst, Label: "数据分析员"},
		{Name: "assessor", Role: RoleAssessor, Label: "考核办"},
		{Name: "officer", Role: RoleOfficer, Label: "市信访局值班员"},
		{Name: "officer-chengguan", Role: RoleOfficer, Region: "620102", Label: "城关区信访干部"},
		{Name: "auditor", Role: RoleAuditor, Label: "审计员"},
	}
	passwords := map[string]string{}
	for i := range accounts {
		raw := make([]byte, 12)
		if _, err := rand.Read(raw); err != nil {
			return nil, err
		}
		pw := base64.RawURLEncoding.EncodeToString(raw)
		h, err := HashPassword(pw)
		if err != nil {
			return nil, err
		}
		accounts[i].Hash = h
		passwords[accounts[i].Name] = pw
	}
	b, err := yaml.Marshal(accounts)
	if err != nil {
		return nil, err
	}
	head := "# xfwatch accounts: bcrypt hashes, role, region scope (empty: the whole city).\n# Generated by `xfwatch demo`; the passwords were printed once.\n"
	if err := os.WriteFile(path, append([]byte(head), b...), 0o600); err != nil {
		return nil, err
	}
	return passwords, nil
}

// Names lists the accounts (for messages).
func (u *Users) Names() []string {
	var out []string
	for n := range u.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
