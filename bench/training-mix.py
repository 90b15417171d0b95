#!/usr/bin/env python3
# The spread of each violation group's share among units, against a binomial (1.0 = binomial),
# over every unit, without the planted elevated units, and without the trained ones too; read
# from a seeded SQLite file and its truth (docs/PERFORMANCE.md, ninth pass).
#   python3 bench/training-mix.py /tmp/tr2/100000-s4.db /tmp/tr2/100000-s4.json
import sqlite3,sys,json
from collections import defaultdict
db=sqlite3.connect(sys.argv[1]); t=json.load(open(sys.argv[2]))
units={u:(f,s) for u,f,s in db.execute("select id,force_id,strength from units")}
rows=db.execute("select c.unit_id,g.code,sum(c.substantiated+c.pending) from training_counts c join violation_types v on v.id=c.violation_type_id join violation_groups g on g.id=v.group_id group by 1,2").fetchall()
cnt=defaultdict(dict)
for u,g,n in rows: cnt[u][g]=n
elev={e['unit_id'] for e in t['elevations']}
trained=set(u for (u,) in db.execute("select distinct su.unit_id from session_units su join training_sessions s on s.id=su.session_id where s.status='delivered'"))
print("trained units",len(trained))
groups=sorted({g for u in cnt for g in cnt[u]})
def disp(excl):
    res={}
    for g in groups:
        num=0;df=0
        for f in set(v[0] for v in units.values()):
            us=[u for u in units if units[u][0]==f and u not in excl and cnt[u]]
            if len(us)<2: continue
            tot={u:sum(cnt[u].values()) for u in us}
            p=sum(cnt[u].get(g,0) for u in us)/sum(tot.values())
            if p<=0: continue
            for u in us:
                e=p*tot[u]; num+=(cnt[u].get(g,0)-e)**2/(e*(1-p)); df+=1
            df-=1
        res[g]=num/df
    return res
a=disp(set()); b=disp(elev); c=disp(elev|trained)
for g in groups: print(f"{g:18s} all {a[g]:.2f}  -elev {b[g]:.2f}  -elev-trained {c[g]:.2f}")
