"""The data: a book of agencies and their projects (`book`), an indicator value (`values`), the
indicator frames (`frames`), the 自评 scoring schemes (`scoring`) and the file format (`schema`)."""
