"""Certificates (志愿服务证明 first): the register of issued documents, their PDF, verification."""
