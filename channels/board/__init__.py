"""Printed notices for public bulletin boards (公开栏): A4 PDF with a QR code to the online page."""
