"""Demo data of the reports: last year's patient safety narrative of Hägersten-Liljeholmen, a draft (idempotent).

The texts are written as a MAS would write them; the figures come from the
data when the report is produced.
"""

from datetime import date

from reports.models import PatientSafetyNarrative
from responsibility.choices import ProviderKind
from responsibility.models import CareProvider

DEMO_TEXTS = {
    "goals_and_strategies": (
        "Nämndens övergripande mål är att ingen patient eller brukare i nämndens hälso- och sjukvård ska drabbas "
        "av en vårdskada som hade kunnat undvikas. Målet är nämndens del av stadens program för "
        "patientsäkerhet och bygger på den nationella handlingsplanen för ökad patientsäkerhet.\n\n"
        "Strategierna för året var:\n"
        "- att alla avvikelser ska utredas inom fastställd tid och att verksamheterna ska återkoppla lärdomar "
        "till personalen på arbetsplatsträffar,\n"
        "- att egenkontrollen ska följa MAS årliga plan för uppföljning av egen regi och av avtalen med "
        "privata utförare,\n"
        "- att riskerna för fall, trycksår och undernäring ska bedömas för varje ny patient inom två veckor "
        "(Senior alert),\n"
        "- att läkemedelshanteringen ska granskas med stöd av farmaceut i varje särskilt boende en gång per år."
    ),
    "organisation": (
        "Nämnden är vårdgivare för den hälso- och sjukvård som bedrivs i egen regi och har det övergripande "
        "ansvaret för att verksamheten bedrivs så att kravet på god vård upprätthålls (HSL 5 kap.). Nämnden "
        "har uppdragit åt förvaltningen att planera, leda och kontrollera verksamheten.\n\n"
        "Medicinskt ansvarig sjuksköterska (MAS) och medicinskt ansvarig för rehabilitering (MAR) svarar för "
        "de uppgifter som följer av HSL 11 kap. 4 §: att patienterna får säker och ändamålsenlig vård, att "
        "journaler förs, att delegeringar är förenliga med patientsäkerheten och att Lex Maria-anmälningar "
        "görs. MAS och MAR är gemensamma för regionen Västra söderort och har nämndens uppdrag att anmäla "
        "enligt Lex Maria.\n\n"
        "Verksamhetscheferna ansvarar för att rutiner finns och följs i den egna enheten, att avvikelser "
        "utreds och att åtgärder genomförs. Varje medarbetare är skyldig att rapportera risker och avvikelser "
        "(PSL 6 kap. 4 §). Tabellen nedan är hämtad ur ansvarsregistret och visar vem som innehade varje "
        "lagstadgad roll vid årets slut."
    ),
    "followup": (
        "Egenkontrollen följde MAS plan för uppföljning. Varje enhet i egen regi följdes upp med MAS "
        "checklista (journalföring, läkemedelshantering, delegering, hygien, rehabilitering och "
        "avvikelsehantering). Avtalen med privata utförare följdes upp enligt avtalens uppföljningsplan.\n\n"
        "Brister som hittades gavs åtgärder med ansvarig och datum. En åtgärd räknas som genomförd först när "
        "MAS har kontrollerat den. Resultaten redovisades för nämnden i avtalsuppföljningsrapporterna under "
        "året. Den vanligaste bristen gällde signeringslistor för läkemedel som inte fyllts i fullständigt."
    ),
    "collaboration": (
        "Läkarmedverkan i särskilda boenden regleras i överenskommelsen med Region Stockholm. Överenskommelsen "
        "följdes upp vid två samverkansmöten under året där MAS, vårdcentralernas verksamhetschefer och "
        "enhetscheferna deltog. Tillgången till läkare dygnet runt fungerade, men vid två tillfällen dröjde "
        "läkarbedömningen efter fall mer än ett dygn; det togs upp med regionen som samverkansavvikelser.\n\n"
        "Samverkan med sjukhusen vid in- och utskrivning sker enligt lagen om samverkan vid utskrivning från "
        "sluten hälso- och sjukvård. Brister i informationsöverföringen vid utskrivning rapporterades som "
        "avvikelser och återfördes till regionen."
    ),
    "risk_analysis": (
        "Riskanalys görs inför förändringar som kan påverka patientsäkerheten, till exempel när en enhet byter "
        "lokaler eller bemanning. Under året gjordes riskanalyser inför sammanslagningen av två avdelningar på "
        "Ekbacken och inför införandet av digital signering av läkemedel.\n\n"
        "I det dagliga arbetet bedöms varje avvikelse med riskmatrisen (konsekvens × sannolikhet). Avvikelser "
        "med hög risk går till MAS för bedömning av om händelsen ska anmälas enligt Lex Maria. "
        "Riskbedömningar enligt Senior alert gjordes för 91 procent av de nyinflyttade inom två veckor."
    ),
    "deviations": (
        "Antalet rapporterade avvikelser redovisas nedan per kategori och månad. Fall och "
        "läkemedelsavvikelser är som tidigare år de vanligaste. Att fler avvikelser rapporteras tolkar MAS i "
        "första hand som en bättre rapporteringskultur; de allvarliga händelserna har inte ökat.\n\n"
        "Händelser som har medfört eller hade kunnat medföra en allvarlig vårdskada utreddes med "
        "händelseanalys och anmäldes till IVO. Lärdomar från utredningarna:\n"
        "- rutinen för tillsyn nattetid efter fall har skärpts,\n"
        "- dubbelsignering har införts vid iordningställande av narkotikaklassade läkemedel,\n"
        "- introduktionen för timanställda omfattar nu delegering och avvikelserapportering."
    ),
    "complaints": (
        "Klagomål och synpunkter tas emot av enheterna och registreras i förvaltningens diarium. Under året "
        "kom 14 klagomål som rörde hälso- och sjukvården, främst bemötande och information till närstående. "
        "Alla besvarades inom fyra veckor. Två klagomål ledde till att händelsen utreddes som avvikelse.\n\n"
        "Analysen visar att närstående behöver bättre information när en patients tillstånd förändras; det är "
        "ett av målen för kommande år."
    ),
    "participation": (
        "Patienten och närstående ges möjlighet att delta i patientsäkerhetsarbetet. När en händelse har lett "
        "till en vårdskada informeras patienten eller närstående om händelsen, om vilka åtgärder som vidtas "
        "och om möjligheten att vända sig till IVO och patientnämnden (PSL 3 kap. 8 §). Patientens och "
        "närståendes berättelse tas med i händelseanalysen."
    ),
    "results": (
        "Åtgärderna från utredningar och uppföljningar redovisas nedan. Flertalet genomfördes inom utsatt tid. "
        "Uppföljningen av läkemedelshanteringen visar färre brister i signeringslistorna efter att digital "
        "signering infördes på två enheter.\n\n"
        "Sammanfattningsvis bedömer MAS att patientsäkerhetsarbetet har utvecklats under året, men att "
        "utredningstiderna för avvikelser behöver kortas och att åtgärder som inte genomförts måste följas upp."
    ),
    "goals_next_year": (
        "Mål och strategier för kommande år:\n"
        "- alla avvikelser ska vara utredda inom fyra veckor,\n"
        "- varje särskilt boende ska ha gjort en läkemedelsgenomgång med farmaceut,\n"
        "- närstående ska informeras inom ett dygn när en patients tillstånd förändras väsentligt,\n"
        "- de åtgärder som inte genomfördes under året (se nedan) ska vara genomförda senast den 30 juni."
    ),
}


def load(*, today: date) -> None:
    provider = CareProvider.objects.filter(kind=ProviderKind.MUNICIPAL, board__code="hagersten-liljeholmen").first()
    if provider is None:
        return
    PatientSafetyNarrative.objects.get_or_create(provider=provider, year=today.year - 1, defaults=DEMO_TEXTS)
