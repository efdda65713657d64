// A codegen document transform (codegen.yml): every selection set of the example's documents also
// selects __typename, which urql's document cache uses to know what a mutation changed. It runs
// before hashing, so the trusted documents manifest holds exactly what the app's hashes name.
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

export const transform = addTypenameSelectionDocumentTransform.transform;
