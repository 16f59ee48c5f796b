package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/yueyuetan/yueyuetan/models"
)

// DemoPassword is every demo account's password. Demo data is loaded only when asked for.
const DemoPassword = "yueyuetan-demo"

type demoLogin struct{ phone, name, what string }

// seedDemo loads 西桥社区 with 安友花园 (11 stairwells, 164 households), two more compounds,
// organizations, staff, three party members with skills and twenty residents. It goes through
// the same operations as the API, so the demo's event log is a real one. onlyIfEmpty skips it
// quietly when any community exists.
func seedDemo(ctx context.Context, s *models.Store, out io.Writer, onlyIfEmpty bool) error {
	ids, err := s.CommunityIDs(ctx)
	if err != nil {
		return err
	}
	if len(ids) > 0 {
		if !onlyIfEmpty {
			fmt.Fprintln(out, "demo: the database already has communities; nothing loaded")
		}
		printDemoLogins(out)
		return nil
	}
	super, err := s.AddUser(ctx, models.AddUserInput{Phone: "13900000000", Name: "唐街道（演示）",
		Password: DemoPassword, Role: "superadmin"})
	if err != nil {
		return fmt.Errorf("superadmin: %w", err)
	}
	sa := super.Actor()
	xq, err := s.CreateCommunity(ctx, sa, models.CommunityInput{Name: "西桥社区", Street: "唐家墩街道", District: "江汉区", City: "武汉市"})
	if err != nil {
		return fmt.Errorf("community: %w", err)
	}
	anyou, err := s.CreateCompound(ctx, sa, xq.ID, models.CompoundInput{Name: "安友花园", Address: "江汉区西桥路（演示地址）"})
	if err != nil {
		return err
	}
	homes, err := seedAnyou(ctx, s, sa, anyou.ID)
	if err != nil {
		return err
	}
	for _, c := range []struct{ name, addr string }{{"西桥小区", "江汉区西桥小区（演示地址）"}, {"常青苑", "江汉区常青路（演示地址）"}} {
		cp, err := s.CreateCompound(ctx, sa, xq.ID, models.CompoundInput{Name: c.name, Address: c.addr})
		if err != nil {
			return err
		}
		for b := 1; b <= 2; b++ {
			bl, err := s.CreateBuilding(ctx, sa, cp.ID, fmt.Sprintf("%d栋", b))
			if err != nil {
				return err
			}
			for f := 1; f <= 3; f++ {
				for r := 1; r <= 2; r++ {
					if _, err := s.CreateHousehold(ctx, sa, cp.ID, models.HouseholdInput{BuildingID: bl.ID,
						Room: fmt.Sprintf("%d0%d", f, r), Area: 70 + float64(f*r)*3.25, OwnerOccupied: true}); err != nil {
						return err
					}
				}
			}
		}
	}
	orgs := map[string]uint64{}
	for _, o := range []struct{ name, kind string }{
		{"安友花园物业服务中心", "property"}, {"安友花园业主委员会", "owners_committee"},
		{"安友花园小区自治委员会", "self_governance"}, {"江汉区住房和城市更新局", "district_department"},
	} {
		org, err := s.CreateOrganization(ctx, sa, xq.ID, o.name, o.kind)
		if err != nil {
			return err
		}
		orgs[o.kind] = org.ID
	}
	staff := []struct {
		phone, name string
		roles       []string
	}{
		{"13900000001", "刘书记（演示）", []string{models.RoleAdmin, models.RoleFacilitator}},
		{"13900000002", "陈主持（演示）", []string{models.RoleFacilitator}},
		{"13900000003", "黄网格（演示）", []string{models.RoleGridWorker}},
		{"13900000004", "吴监督（演示）", []string{models.RoleCommittee}},
	}
	for _, p := range staff {
		if _, err := s.AddMember(ctx, sa, xq.ID, models.AddMemberInput{Phone: p.phone, Name: p.name,
			Password: DemoPassword, Roles: p.roles}); err != nil {
			return fmt.Errorf("staff %s: %w", p.phone, err)
		}
	}
	party := []struct {
		phone, name, skill, unit string
	}{
		{"13900000011", "赵电工（演示）", "电工", "某供电公司（演示）"},
		{"13900000012", "钱律师（演示）", "律师", "某律师事务所（演示）"},
		{"13900000013", "孙医生（演示）", "医生", "某社区医院（演示）"},
	}
	for i, p := range party {
		m, err := s.AddMember(ctx, sa, xq.ID, models.AddMemberInput{Phone: p.phone, Name: p.name, Password: DemoPassword,
			Roles: []string{models.RolePartyMember, models.RoleResident}, HouseholdID: &homes[100+i]})
		if err != nil {
			return fmt.Errorf("party member %s: %w", p.phone, err)
		}
		skills := []string{p.skill}
		unit := p.unit
		if _, err := s.UpdateMember(ctx, sa, xq.ID, m.UserID, models.MemberPatch{Skills: &skills, WorkUnit: &unit}); err != nil {
			return err
		}
	}
	names := []string{"张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十", "郑十一", "冯十二",
		"陈十三", "褚十四", "卫十五", "蒋十六", "沈十七", "韩十八", "杨十九", "朱二十", "秦廿一", "尤廿二"}
	for i, n := range names {
		phone := fmt.Sprintf("139000001%02d", i+1)
		home := homes[i*8]
		if i < 15 {
			_, err = s.AddMember(ctx, sa, xq.ID, models.AddMemberInput{Phone: phone, Name: n, Password: DemoPassword,
				Roles: []string{models.RoleResident}, HouseholdID: &home})
		} else {
			// The last five registered themselves and wait for a grid worker to verify them.
			_, err = s.Register(ctx, models.RegisterInput{Phone: phone, Name: n, Password: DemoPassword,
				CommunityID: xq.ID, HouseholdID: &home, PrivacyConsent: true})
		}
		if err != nil {
			return fmt.Errorf("resident %s: %w", phone, err)
		}
	}
	fmt.Fprintln(out, "demo: loaded 西桥社区 (唐家墩街道, 江汉区, 武汉市) with 安友花园 (11 stairwells, 164 households), 西桥小区 and 常青苑")
	printDemoLogins(out)
	return nil
}

// seedAnyou builds 安友花园's 11 stairwells: ten of 7 floors with 2 flats a floor and one of 8
// floors with 3, 164 households in all. It returns the household ids in order.
func seedAnyou(ctx context.Context, s *models.Store, sa models.Actor, compoundID uint64) ([]uint64, error) {
	var ids []uint64
	for unit := 1; unit <= 11; unit++ {
		b, err := s.CreateBuilding(ctx, sa, compoundID, fmt.Sprintf("%d单元", unit))
		if err != nil {
			return nil, err
		}
		floors, flats := 7, 2
		if unit == 11 {
			floors, flats = 8, 3
		}
		for f := 1; f <= floors; f++ {
			for r := 1; r <= flats; r++ {
				area := 56.4 + float64((unit*7+f*5+r*11)%40) + float64((unit+f+r)%4)*0.25
				h, err := s.CreateHousehold(ctx, sa, compoundID, models.HouseholdInput{BuildingID: b.ID,
					Room: fmt.Sprintf("%d%02d", f, r), Area: area, OwnerOccupied: (unit+f+r)%5 != 0})
				if err != nil {
					return nil, err
				}
				ids = append(ids, h.ID)
			}
		}
	}
	if len(ids) != 164 {
		return nil, errors.New("安友花园 should have 164 households")
	}
	return ids, nil
}

func printDemoLogins(out io.Writer) {
	logins := []demoLogin{
		{"13900000000", "唐街道（演示）", "街道超级管理员 street super-admin"},
		{"13900000001", "刘书记（演示）", "社区管理员+主持人 admin + facilitator"},
		{"13900000002", "陈主持（演示）", "主持人 facilitator"},
		{"13900000003", "黄网格（演示）", "网格员 grid worker"},
		{"13900000004", "吴监督（演示）", "居务监督委员 committee"},
		{"13900000011", "赵电工（演示）", "下沉党员 party member (电工)"},
		{"13900000101", "张三", "居民 resident (verified)"},
		{"13900000116", "韩十八", "居民 resident (awaiting verification)"},
	}
	fmt.Fprintf(out, "\nDemo logins (password for all: %s):\n", DemoPassword)
	for _, l := range logins {
		fmt.Fprintf(out, "  %s  %-14s %s\n", l.phone, l.name, l.what)
	}
	fmt.Fprintln(out)
}
