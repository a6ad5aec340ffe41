/**
 * The preview of one document: an image through its signed link in an `<img>`; a PDF in a frame of
 * a `blob:` copy (the download answers `Content-Disposition: attachment` and a sandboxing CSP, which
 * suit a download, not a frame; the page's CSP allows `frame-src blob:`).
 */
import { Anchor, Center, Image, Modal, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { fetchDocumentBlob } from '../../api/documents';
import type { DocumentOut } from '../../api/types';
import { LoadError, Loading } from '../States';

export function isPreviewable(document: DocumentOut): boolean {
  // HEIC (iPhone photos) is not shown by most browsers: it is downloaded instead.
  return (document.mime.startsWith('image/') && document.mime !== 'image/heic') || document.mime === 'application/pdf';
}

function PdfFrame({ document }: { document: DocumentOut }) {
  const blob = useQuery({ queryKey: ['document-blob', document.id], queryFn: () => fetchDocumentBlob(document), staleTime: Infinity, gcTime: 0 });
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob.data) return;
    const objectUrl = URL.createObjectURL(blob.data);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [blob.data]);
  if (blob.isPending) return <Loading label="Chargement du PDF…" />;
  if (blob.isError) return <LoadError error={blob.error} onRetry={() => void blob.refetch()} />;
  return url ? <iframe src={url} title={`Aperçu de ${document.filename}`} style={{ width: '100%', height: '70vh', border: 0 }} /> : null;
}

export function DocumentPreview({ document, onClose }: { document: DocumentOut | null; onClose: () => void }) {
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal opened={document !== null} onClose={onClose} title={document ? `Aperçu : ${document.filename}` : ''} size="xl" fullScreen={phone}>
      {document && (
        <Stack>
          {document.mime === 'application/pdf' ? (
            <PdfFrame document={document} />
          ) : (
            <Center>
              <Image src={document.path} alt={document.description ?? document.filename} fit="contain" mah="70vh" />
            </Center>
          )}
          <Text size="sm">
            <Anchor href={document.path} download={document.filename}>Télécharger « {document.filename} »</Anchor>
          </Text>
        </Stack>
      )}
    </Modal>
  );
}
