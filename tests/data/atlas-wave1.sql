-- A database made by wave 1 (commit 4c2d4ee): the seed projects, one office account, two decisions.
BEGIN TRANSACTION;
CREATE TABLE changes (
	id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	actor VARCHAR(254) NOT NULL, 
	at DATETIME NOT NULL, 
	action VARCHAR(20) NOT NULL, 
	detail TEXT NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "changes" VALUES(1,1,'leine-weser@arl.example','2026-11-26 14:41:07.676485','rejected','Test');
INSERT INTO "changes" VALUES(2,1,'leine-weser@arl.example','2026-11-26 14:41:07.677720','published','');
INSERT INTO "changes" VALUES(3,1,'leine-weser@arl.example','2026-11-26 14:41:14.191014','rejected','Test');
INSERT INTO "changes" VALUES(4,1,'leine-weser@arl.example','2026-11-26 14:41:14.193390','published','');
CREATE TABLE meta (
	"key" VARCHAR(40) NOT NULL, 
	value INTEGER NOT NULL, 
	PRIMARY KEY ("key")
);
INSERT INTO "meta" VALUES('version',5);
CREATE TABLE projects (
	id INTEGER NOT NULL, 
	name VARCHAR(150) NOT NULL, 
	traeger VARCHAR(150) NOT NULL, 
	description TEXT NOT NULL, 
	handlungsfelder VARCHAR(100) NOT NULL, 
	hf_mask INTEGER NOT NULL, 
	street VARCHAR(150) NOT NULL, 
	plz VARCHAR(5) NOT NULL, 
	ort VARCHAR(100) NOT NULL, 
	lat FLOAT NOT NULL, 
	lon FLOAT NOT NULL, 
	precision VARCHAR(20) NOT NULL, 
	approximate BOOLEAN NOT NULL, 
	kreis_rs VARCHAR(5) NOT NULL, 
	kreis_name VARCHAR(100) NOT NULL, 
	arl VARCHAR(20) NOT NULL, 
	website VARCHAR(300) NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	status VARCHAR(10) NOT NULL, 
	reject_reason TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "projects" VALUES(1,'Hemminger Netzwerk für Flüchtlinge','Hemminger Netzwerk für Flüchtlinge','Ehrenamtliches Netzwerk in Hemmingen, das geflüchteten Menschen beim Deutschlernen zur Seite steht.','sprache',1,'','','Hemmingen',52.31425,9.72359,'place',0,'03241','Region Hannover','leine-weser','','','published','','2026-11-26 14:41:07.521565','2026-11-26 14:41:14.193390');
INSERT INTO "projects" VALUES(2,'Gewerkepass','Jobcenter Osnabrück und Handwerkskammer Osnabrück-Emsland-Grafschaft Bentheim','Gemeinsames Angebot von Jobcenter und Handwerkskammer, das Geflüchteten den Weg in Ausbildung und Arbeit im Handwerk ebnet.','arbeit-ausbildung',2,'','','Osnabrück',52.27264,8.0498,'place',0,'03404','Osnabrück','weser-ems','https://www.jobcenter-osnabrueck.de/wir-foerdern-sie/der-gewerkepass.html','','published','','2026-11-26 14:41:07.521565','2026-11-26 14:41:07.521565');
INSERT INTO "projects" VALUES(3,'Willkommenskultur Meppen','Stadt Meppen','Die Stadt Meppen unterstützt geflüchtete Menschen beim Ankommen, Wohnen und Leben vor Ort.','wohnen-leben',4,'','','Meppen',52.69064,7.29097,'place',0,'03454','Emsland','weser-ems','','','published','','2026-11-26 14:41:07.521565','2026-11-26 14:41:07.521565');
INSERT INTO "projects" VALUES(4,'Ich kann helfen','Migrationszentrum für Stadt und Landkreis Göttingen','Das Migrationszentrum vermittelt Menschen, die sich ehrenamtlich für Geflüchtete engagieren möchten, und begleitet sie dabei.','engagement',8,'','','Göttingen',51.53443,9.93228,'place',0,'03159','Göttingen','braunschweig','https://www.migrationszentrum-goettingen.wir-e.de/teilhabe-durch-ehrenamt','','published','','2026-11-26 14:41:07.521565','2026-11-26 14:41:07.521565');
INSERT INTO "projects" VALUES(5,'Lebenswege begleiten','Lebenswege begleiten e.V.','Verein in Bruchhausen-Vilsen, der Geflüchtete begleitet und ihre Teilhabe am gesellschaftlichen Leben stärkt.','teilhabe',16,'','','Bruchhausen-Vilsen',52.82931,8.99066,'place',0,'03251','Diepholz','leine-weser','https://www.asyl-lebenswege-begleiten.de','','published','','2026-11-26 14:41:07.521565','2026-11-26 14:41:07.521565');
INSERT INTO "projects" VALUES(6,'Stark im Beruf','AWiSTA, AWO Salzgitter','Angebot der AWO Salzgitter, das Frauen mit Migrations- und Fluchtgeschichte auf dem Weg in den Beruf unterstützt.','arbeit-ausbildung',2,'','','Salzgitter',52.15705,10.4154,'place',0,'03102','Salzgitter','braunschweig','','','published','','2026-11-26 14:41:07.521565','2026-11-26 14:41:07.521565');
INSERT INTO "projects" VALUES(7,'Netzwerk Nachbarschaft Asendorf','Netzwerk Nachbarschaft Asendorf','Nachbarschaftliches Netzwerk in Asendorf (Landkreis Diepholz), in dem sich Bürgerinnen und Bürger für geflüchtete Nachbarn einsetzen.','engagement',8,'','27330','Asendorf',52.7586647127,9.00053328993,'postcode',0,'03251','Diepholz','leine-weser','','','published','','2026-11-26 14:41:07.521565','2026-11-26 14:41:07.521565');
CREATE TABLE users (
	id INTEGER NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	arl VARCHAR(20), 
	is_admin BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (email)
);
INSERT INTO "users" VALUES(1,'leine-weser@arl.example','scrypt:32768:8:1$TPYoUmkgDaqNLv2Z$4a77296ec00501e463d8dc7ff958a5efc7946079b7f7b8b62ba67ced72d8a26226d890652b6985644c7274522a84c8ce87e90edd31ee73a4734e5546fd204b9f','leine-weser',0,'2026-11-26 14:41:07.674996');
CREATE INDEX ix_projects_kreis_rs ON projects (kreis_rs);
CREATE INDEX ix_projects_status ON projects (status);
CREATE INDEX ix_projects_lat_lon ON projects (lat, lon);
CREATE INDEX ix_projects_arl ON projects (arl);
CREATE INDEX ix_changes_project_id ON changes (project_id);
COMMIT;
