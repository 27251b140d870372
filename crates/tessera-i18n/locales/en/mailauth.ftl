# Mail authenticity: DKIM, SPF, DMARC.
