/**
 * Common vaccines by their CDC CVX code (https://www2a.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx),
 * for the immunization form's picker. The vaccine name is stored with the record, so a later
 * change to this list never rewrites history.
 */
export interface CvxVaccine {
  code: string;
  name: string;
}

export const CVX_VACCINES: readonly CvxVaccine[] = [
  { code: "208", name: "COVID-19, mRNA, 30 mcg/0.3 mL dose (Pfizer-BioNTech)" },
  { code: "207", name: "COVID-19, mRNA, 100 mcg/0.5 mL dose (Moderna)" },
  { code: "213", name: "COVID-19 vaccine, unspecified formulation" },
  { code: "88", name: "Influenza, unspecified formulation" },
  { code: "140", name: "Influenza, seasonal, injectable, preservative free" },
  { code: "141", name: "Influenza, seasonal, injectable" },
  { code: "150", name: "Influenza, injectable, quadrivalent, preservative free" },
  { code: "158", name: "Influenza, injectable, quadrivalent" },
  { code: "171", name: "Influenza, injectable, MDCK, quadrivalent, preservative free" },
  { code: "185", name: "Influenza, recombinant, quadrivalent, preservative free" },
  { code: "197", name: "Influenza, high-dose, quadrivalent" },
  { code: "205", name: "Influenza, adjuvanted, quadrivalent" },
  { code: "149", name: "Influenza, live, intranasal, quadrivalent" },
  { code: "115", name: "Tdap (tetanus, diphtheria, acellular pertussis)" },
  { code: "113", name: "Td (adult), preservative free" },
  { code: "139", name: "Td (adult), unspecified formulation" },
  { code: "20", name: "DTaP" },
  { code: "110", name: "DTaP-hepatitis B-IPV" },
  { code: "120", name: "DTaP-Hib-IPV" },
  { code: "130", name: "DTaP-IPV" },
  { code: "10", name: "IPV (polio, inactivated)" },
  { code: "17", name: "Hib, unspecified formulation" },
  { code: "49", name: "Hib (PRP-OMP)" },
  { code: "48", name: "Hib (PRP-T)" },
  { code: "03", name: "MMR (measles, mumps, rubella)" },
  { code: "94", name: "MMRV (measles, mumps, rubella, varicella)" },
  { code: "21", name: "Varicella" },
  { code: "08", name: "Hepatitis B, pediatric/adolescent" },
  { code: "43", name: "Hepatitis B, adult" },
  { code: "45", name: "Hepatitis B, unspecified formulation" },
  { code: "83", name: "Hepatitis A, pediatric/adolescent, 2 dose" },
  { code: "52", name: "Hepatitis A, adult" },
  { code: "104", name: "Hepatitis A and hepatitis B" },
  { code: "165", name: "HPV, 9-valent" },
  { code: "62", name: "HPV, quadrivalent" },
  { code: "133", name: "Pneumococcal conjugate PCV13" },
  { code: "215", name: "Pneumococcal conjugate PCV15" },
  { code: "216", name: "Pneumococcal conjugate PCV20" },
  { code: "33", name: "Pneumococcal polysaccharide PPSV23" },
  { code: "187", name: "Zoster, recombinant (Shingrix)" },
  { code: "121", name: "Zoster, live" },
  { code: "114", name: "Meningococcal MCV4P (MenACWY-D)" },
  { code: "136", name: "Meningococcal MCV4O (MenACWY-CRM)" },
  { code: "147", name: "Meningococcal MCV4, unspecified formulation" },
  { code: "162", name: "Meningococcal B, recombinant (MenB-FHbp)" },
  { code: "163", name: "Meningococcal B, OMV (MenB-4C)" },
  { code: "116", name: "Rotavirus, pentavalent" },
  { code: "119", name: "Rotavirus, monovalent" },
  { code: "101", name: "Typhoid, ViCPs (injectable)" },
  { code: "25", name: "Typhoid, oral" },
  { code: "37", name: "Yellow fever" },
  { code: "18", name: "Rabies, intramuscular" },
  { code: "134", name: "Japanese encephalitis, intramuscular" },
  { code: "19", name: "BCG" },
];

export function cvxVaccine(code: string): CvxVaccine | undefined {
  return CVX_VACCINES.find((v) => v.code === code);
}
