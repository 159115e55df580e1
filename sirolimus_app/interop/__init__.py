"""Results that arrive by themselves: HL7 v2 (files, MLLP) and FHIR R4B from the laboratory,
and the FHIR view of a patient for other systems.

hl7v2 / fhir_in read a message into `mapping.Inbound` (one shape whatever the format);
importer stores it raw and imports its results through the same services as a typed result;
review resolves what could not be imported; tokens guards the FHIR API; fhir_out writes it.
"""
